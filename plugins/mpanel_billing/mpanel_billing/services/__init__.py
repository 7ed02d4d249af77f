"""Services (subscriptions): lifecycle, billing run, dunning consequences, changes."""
