// Placeholder until its issue lands.
print("mime-bench: not built yet")
