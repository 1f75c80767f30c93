"""Question bank and knowledge content: data files plus pure-Python schema, loaders and checks."""
