"""Plugin settings declare their type, range and choices: the marketplace form shows
the matching widget and refuses a bad value naming the setting, saving nothing."""

import re

from mpanel_billing.settings import load

from mpanel.testing.pytest_plugin import csrf_token

PAGE = "/marketplace/billing/settings"


def form_values(html: str) -> dict:
    values = {name: value for name, value in re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)"', html)}
    values.update(re.findall(r'<select[^>]*name="(\w+)">\s*(?:<option[^>]*>[^<]*</option>)*?'
                             r'<option value="([^"]*)" selected', html))
    values.update({name: "y" for name in re.findall(r'name="(\w+)" value="y" checked', html)})
    return values


def test_billing_settings_form_refuses_bad_values_by_name_and_saves_typed_ones(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Owner"))
    page = client.get(PAGE, base_url=billing.host).get_data(as_text=True)
    assert re.search(r'<select[^>]*name="late_fee_type"', page) and 'type="checkbox" id="proforma"' in page
    data = {**form_values(page), "csrf_token": csrf_token(page)}
    data.pop("proforma", None)
    for key, bad, message in (("payment_terms_days", "fourteen", "not an amount"),
                              ("payment_terms_days", "-1", "at least 0"),
                              ("overdue_days", "1,0", "below 1"),
                              ("late_fee_type", "sometimes", "one of"),
                              ("logo", "https://evil.example/logo.png", "data:image/png"),
                              ("accent_color", "red", "#1f4e79")):
        refused = client.post(PAGE, base_url=billing.host, data={**data, key: bad})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400 and f"<b>{key}</b>" in html and message in html, key
    assert billing.run(load).payment_terms_days == 14  # nothing was saved
    saved = client.post(PAGE, base_url=billing.host, data={**data, "payment_terms_days": "30",
                                                           "late_fee_amount": "2.5", "auto_apply_credit": ""})
    assert saved.status_code == 302
    settings = billing.run(load)
    assert (settings.payment_terms_days, settings.auto_apply_credit) == (30, False)
    assert str(settings.late_fee_amount) == "2.5"
    assert settings.seller["name"] == "Acme Hosting GmbH"  # the other fields came back as they were


def test_number_settings_of_every_plugin_refuse_text(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Owner"))
    for plugin, key in (("billing", "renewal_lead_days"), ("domains", "renewal_days_before"),
                        ("registrar_epp", "port"), ("registrar_epp", "timeout")):
        path = f"/marketplace/{plugin}/settings"
        page = client.get(path, base_url=billing.host).get_data(as_text=True)
        assert re.search(rf'inputmode="numeric" id="{key}"', page), (plugin, key)
        data = {**form_values(page), "csrf_token": csrf_token(page), key: "ten"}
        refused = client.post(path, base_url=billing.host, data=data)
        assert refused.status_code == 400 and f"<b>{key}</b>" in refused.get_data(as_text=True), (plugin, key)
