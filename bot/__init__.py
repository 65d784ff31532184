"""The composition root: settings, the Application, the command line. Imported by nothing."""
