"""Text analysis for matching: tokens with offsets, word forms, transliteration."""
