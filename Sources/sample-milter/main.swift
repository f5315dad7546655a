// Placeholder until its issue lands.
print("sample-milter: not built yet")
