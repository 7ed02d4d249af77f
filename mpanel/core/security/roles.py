"""Base roles and what they may do, as FAB builtin roles (regex pairs).

The platform operator is FAB's admin role and may do everything. Tenant roles
never get FAB's security views (users, roles, permissions are platform-wide).
Plugins add their own pairs through ``Plugin.role_permissions``.
"""

OPERATOR = "Operator"
TENANT_ROLES = ("Owner", "Admin", "Billing", "Support", "Read-only")
CUSTOMER = "Customer"
PUBLIC = "Public"  # anonymous visitors (AUTH_ROLE_PUBLIC): builtin like the others, nothing by default

_READ = "can_list|can_show|can_get|can_info"
_STAFF_SELF = [("UserInfoEditView|ResetMyPasswordView", "can_this_form_get|can_this_form_post"), ("OpenApi", "can_get"),
               ("UserDBModelView", "can_userinfo|resetmypassword|userinfoedit")]
_MENUS = ("Customers|Customer list|Administration|Audit log|Automation status|Outbox|Marketplace|Account security"
          "|Notifications",
          "menu_access")
_SECURITY_ADMIN = [("SecurityPolicyView", "can_edit"), ("SecurityFeedView", _READ),
                   ("StaffTeamApi", "can_get|can_post|can_put"),
                   ("Security policy|Security feed|Staff|Account settings", "menu_access"),
                   ("IntegrationSettingsView", "can_this_form_get|can_this_form_post"), ("Mail and API", "menu_access")]
_OWN_PASSWORD = ("ResetMyPasswordView", "can_this_form_get|can_this_form_post")

KERNEL_ROLES = {
    PUBLIC: [],
    "Owner": [("CustomerView|CustomerApi", ".*"), ("AuditLogView|AuditLogApi", _READ),
              ("AutomationRunView|OutboxView", _READ), ("OutboxView", "can_resend"),
              ("MarketplaceView|MarketplaceApi", ".*"), _MENUS, *_STAFF_SELF, *_SECURITY_ADMIN],
    "Admin": [("CustomerView|CustomerApi", ".*"), ("AuditLogView|AuditLogApi", _READ),
              ("AutomationRunView|OutboxView", _READ), ("OutboxView", "can_resend"),
              ("MarketplaceView|MarketplaceApi", ".*"), _MENUS, *_STAFF_SELF, *_SECURITY_ADMIN],
    "Billing": [("CustomerView|CustomerApi", f"{_READ}|can_edit|can_put|can_add|can_post|can_invite|invite"),
                ("AutomationRunView", _READ), _MENUS, *_STAFF_SELF],
    "Support": [("CustomerView|CustomerApi", f"{_READ}|can_edit|can_put|can_invite|invite|impersonate"), _MENUS,
                *_STAFF_SELF],
    "Read-only": [("CustomerView|CustomerApi", _READ), ("AutomationRunView", _READ), _MENUS, *_STAFF_SELF],
    CUSTOMER: [("ClientAccountApi", _READ), _OWN_PASSWORD, ("Account security", "menu_access"),
               ("ClientContactsApi", "can_list_contacts|can_invite_contact|can_change_contact|can_revoke_contact")],
}


def build_roles(plugins) -> dict:
    """Kernel roles merged with each plugin's ``role_permissions``."""
    roles = {name: list(pairs) for name, pairs in KERNEL_ROLES.items()}
    for plugin in plugins:
        for role, pairs in plugin.role_permissions.items():
            roles.setdefault(role, []).extend(pairs)
    return roles
