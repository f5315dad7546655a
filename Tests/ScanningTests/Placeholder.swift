// Tests for ScanningTests's module.
