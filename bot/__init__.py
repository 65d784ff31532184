"""The composition root: settings, building the Application, the command line. Imported by nothing."""
