// The Archives module: names and types inside archives, through libarchive.
