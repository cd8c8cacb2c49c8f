"""The patient's side: acknowledgement, the private status page, reminders, the patient's decision."""
