// Tests for Archives.
