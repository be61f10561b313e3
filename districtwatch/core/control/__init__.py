"""Who holds each district: the policy, its starting baseline, the map."""
