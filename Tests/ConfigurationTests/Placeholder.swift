// Tests for the Configuration module.
