"""Ratings, weights, scores and confidence: the pure core of the recommendation."""
