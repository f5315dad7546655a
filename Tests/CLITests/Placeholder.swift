// Tests for CLITests's module.
