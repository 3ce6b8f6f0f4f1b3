"""The Safe Babies data package (DATA_PACKAGE.md): its tables (`schema`), reading a zip or a
folder (`source`) and importing into a site (`importer`)."""
