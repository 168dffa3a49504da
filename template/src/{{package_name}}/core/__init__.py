"""Infrastructure that every feature shares: settings, logging, errors, middleware, health."""
