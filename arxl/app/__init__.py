"""The one orchestration layer: a job for each thing the accountant asks (the ribbon's buttons, the command
line's commands), the close and the recovery runs. It reads through a Port, takes the workbook lock and writes
one ChangeSet; the command line, every macro and the close call it."""
