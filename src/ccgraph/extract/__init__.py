"""The extract stage: profile documents -> typed records with exact character offsets."""
