"""Server-rendered pages: the organiser's console and the participant's pages."""
