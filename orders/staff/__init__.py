"""The order desk: the staff pages of orders (views, forms, filters, presenters, previews, exports)."""
