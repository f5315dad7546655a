// The MilterTesting module; see ../shared/DESIGN.md for what it owns.
