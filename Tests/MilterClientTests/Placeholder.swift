// Tests for MilterClientTests's module.
