// The Updater module; see ../shared/DESIGN.md.
