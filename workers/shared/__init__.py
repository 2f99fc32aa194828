"""What several processes use, each written once: the organisation and its delegations, the working
calendar, the write-once archive, reminders, typed task properties, notifications and documents."""
