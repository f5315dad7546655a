// Tests for Updater.
