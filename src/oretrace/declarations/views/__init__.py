"""The pages of the declarations app, one module per aggregate: declarations and suppliers,
campaigns (and the supplier's link), the roll-up and its reports."""
