// Placeholder so an empty layer library still builds.
