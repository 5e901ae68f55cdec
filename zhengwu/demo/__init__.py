"""The demo county (示范县): a deterministic, fictitious but well-formed data set.

``load_demo()`` (in :mod:`zhengwu.demo.build`) builds it; ``zhengwu demo`` runs the
migrations, loads it, prints the demo logins and serves the site. The county mirrors the
center the seed text describes: 47 units (入驻单位) with 108 windows and about 300 staff in
the county 政务服务中心, a 便民服务中心 in each town and a 便民服务站 in each village.

Data modules:

- ``geography``: regions (12-digit 统计用区划代码) and halls.
- ``spec``: the compact item notation and its expansion into ``item_upsert`` arguments.
- ``units_*``: the departments with their windows and service items.
- ``layout``: the units in their fixed order and the center's windows by floor.
- ``people``: deterministic staff names and the demo accounts.
- ``build``: ``load_demo()``, which writes all of it idempotently.
"""
