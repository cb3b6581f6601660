# Notifications are personal: they are read in the application, not in the admin.
