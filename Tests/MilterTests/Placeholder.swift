// Tests for MilterTests's module.
