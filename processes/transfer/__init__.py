"""Moving a handbook in and out: focus areas, role responsibilities and routines as YAML or Excel.

* ``reading`` turns a file (YAML or the Excel template) into plain items,
  each value with where it came from (line, or sheet/row/column).
* ``canonical`` holds the form both directions share: sanitised document
  text, each item as the export writes it, and the export itself.
* ``planning`` checks the items against the database and works out what an
  import would add and change (``handbook_plan``): the preview.
* ``services`` applies a plan in one transaction (``handbook_apply``) and
  keeps uploads between preview and confirmation
  (``transfer_draft_create`` / ``transfer_draft_confirm``).
* ``workbook`` writes the Excel template and exports.

The format is described in docs/handbook-format.md.
"""
