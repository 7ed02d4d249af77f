"""Stock taken at checkout (atomically) and given back on cancellation."""

import pytest
from mpanel_catalog.models import Product
from mpanel_catalog.stock import return_stock, take_stock

from mpanel.core.errors import FieldError


def stock(shop, product_id):
    return shop.run(lambda s: s.get(Product, product_id).stock_quantity)


def test_stock_is_taken_and_returned(shop):
    vps, web = shop.ids.vps, shop.ids.web
    shop.run(lambda s: take_stock(s, vps, 2))
    assert stock(shop, vps) == 0
    with pytest.raises(FieldError) as error:
        shop.run(lambda s: take_stock(s, vps, 1))
    assert error.value.field == "quantity"
    shop.run(lambda s: return_stock(s, vps, 1))
    assert stock(shop, vps) == 1
    shop.run(lambda s: take_stock(s, web, 50))  # no stock control: nothing to take
    assert stock(shop, web) == 0


def test_stock_of_another_tenant_is_out_of_reach(shop, factory):
    other = factory.tenant()
    with pytest.raises(FieldError) as error:
        factory.commit(lambda s: take_stock(s, shop.ids.vps, 1), other.id)
    assert error.value.field == "product"
    factory.commit(lambda s: return_stock(s, shop.ids.vps, 5), other.id)
    assert stock(shop, shop.ids.vps) == 2
