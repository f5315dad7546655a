import Testing

// The `scanmilterctl mime` tests run the built binary; filled in with the command itself.
@Test func placeholderUntilTheMimeCommandLands() {
    #expect(Bool(true))
}
