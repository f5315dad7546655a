// The Quarantine module; see ../shared/DESIGN.md.
