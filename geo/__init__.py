"""The spatial data layer of the Kiên Giang SCP map: models, queries, importers and exporters. No Flask here."""
