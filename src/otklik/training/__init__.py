"""Training code for the models Otklik ships."""
