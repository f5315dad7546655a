// Placeholder until its issue lands.
print("scan-bench: not built yet")
