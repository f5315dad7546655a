// Tests for Quarantine.
