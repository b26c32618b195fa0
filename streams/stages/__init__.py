"""Pure stage logic shared by the Faust agents and in-process replay; no Faust imports here."""
