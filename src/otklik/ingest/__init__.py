"""Reading files other tools export and turning their rows into mentions."""
