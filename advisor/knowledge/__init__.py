"""The knowledge base: cited, dated facts about frameworks, and the criteria they bear on."""
