"""Pure code: the crypto core, the engine and its profiles, the record's chain, the state machines, the vocabulary, the templates' languages."""
