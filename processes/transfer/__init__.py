"""Moving a handbook in and out: focus areas, role responsibilities and routines as YAML or Excel.

* ``reading`` turns a file (YAML or the Excel template) into plain items,
  each value with where it came from (line, or sheet/row/column).
* ``services`` checks the items against the database, shows what an
  import would add and change (``handbook_plan``), applies it in one
  transaction (``handbook_apply``), keeps uploads between preview and
  confirmation (``transfer_draft_create`` / ``transfer_draft_confirm``)
  and exports a unit's handbook (``handbook_export``).
* ``workbook`` writes the Excel template and exports.

The format is described in docs/handbook-format.md.
"""
