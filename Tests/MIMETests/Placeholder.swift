// Tests for MIMETests's module.
