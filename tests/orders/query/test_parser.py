"""The q parser on its own: the AST of every form, positions, and the limits. No database."""

import pytest

from orders.errors import ValidationFailed
from orders.query import parse_query
from orders.query.ast import AnyOf, Bare, Bound, Compare, Equals, IsNull, IsPresent, Operator, Query, Quoted, Term


def single_term(path: str, condition) -> Query:
    return Query((Term(tuple(path.split(".")), condition),))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("currency:USD", single_term("currency", Equals(Bare("USD")))),
        ("tax.total.amount:20", single_term("tax.total.amount", Equals(Bare("20")))),
        ("tax.total.amount:>20", single_term("tax.total.amount", Compare((Bound(Operator.GT, Bare("20")),)))),
        ("a:<20", single_term("a", Compare((Bound(Operator.LT, Bare("20")),)))),
        ("a:>=20", single_term("a", Compare((Bound(Operator.GE, Bare("20")),)))),
        ("a:<=-2.5", single_term("a", Compare((Bound(Operator.LE, Bare("-2.5")),)))),
        (
            "a:(>=10 AND <=20)",
            single_term("a", Compare((Bound(Operator.GE, Bare("10")), Bound(Operator.LE, Bare("20"))))),
        ),
        (
            "a:( >=10 and <=20 )",
            single_term("a", Compare((Bound(Operator.GE, Bare("10")), Bound(Operator.LE, Bare("20"))))),
        ),
        ("a:(>3)", single_term("a", Compare((Bound(Operator.GT, Bare("3")),)))),
        (
            'created:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20T07:27:27.455Z")',
            single_term(
                "created",
                Compare(
                    (
                        Bound(Operator.GE, Quoted("2021-05-18T07:27:27.455Z")),
                        Bound(Operator.LT, Quoted("2021-05-20T07:27:27.455Z")),
                    )
                ),
            ),
        ),
        ("x.y:true", single_term("x.y", Equals(Bare("true")))),
        ("billingAddress.contactPhone:null", single_term("billingAddress.contactPhone", IsNull())),
        ("mixins.mixinName:exists", single_term("mixins.mixinName", IsPresent())),
        ('a:"null"', single_term("a", Equals(Quoted("null")))),
        ("id:(EON1,EON2)", single_term("id", AnyOf((Bare("EON1"), Bare("EON2"))))),
        ('id:( EON1 , "E 2" )', single_term("id", AnyOf((Bare("EON1"), Quoted("E 2"))))),
        ('name:"a \\"b\\" c"', single_term("name", Equals(Quoted('a "b" c')))),
        ('name:"back\\\\slash"', single_term("name", Equals(Quoted("back\\slash")))),
        ('name:""', single_term("name", Equals(Quoted("")))),
        ("email:a+b@example.com", single_term("email", Equals(Bare("a+b@example.com")))),
        ("a:b:c", single_term("a", Equals(Bare("b:c")))),
        ("mixins.my-mixin.x_1:v", single_term("mixins.my-mixin.x_1", Equals(Bare("v")))),
        ("", Query(())),
        ("  ", Query(())),
        (
            "id:EON1 status:COMPLETED",
            Query((Term(("id",), Equals(Bare("EON1"))), Term(("status",), Equals(Bare("COMPLETED"))))),
        ),
    ],
)
def test_parse_query_builds_the_ast(q, expected):
    assert parse_query(q) == expected


def test_parse_query_keeps_each_terms_text_and_column():
    # when
    query = parse_query('  id:EON1   created:>"2021-05-18"')
    # then
    assert [(term.text, term.column) for term in query.terms] == [("id:EON1", 3), ('created:>"2021-05-18"', 13)]


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("a.b.c.d.e.f.g.h.i:1", "a.b.c.d.e.f.g.h.i:1 (column 1): the field path is deeper than 8 levels"),
        (" ".join(["a:1"] * 51), "has more than 50 terms"),
        ("a:" + "x" * 4000, "is longer than 4000 characters"),
        ("a:\x00", "must not contain the NUL character"),
        ("a:\ud800", "must be valid Unicode text"),
        ("a:(" + ",".join(["1"] * 101) + ")", "a:(" + "1," * 28 + "… (column 1) lists more than 100 values"),
        (":x", "unexpected ':' at column 1; expected a field name, a space or the end of the query"),
        ("a:b)", "unexpected ')' at column 4; expected a space or the end of the query"),
        ("a:(>1 , <2)", "unexpected ',' at column 7; expected ')' or AND"),
    ],
)
def test_parse_query_rejects(q, message):
    with pytest.raises(ValidationFailed) as raised:
        parse_query(q)
    assert raised.value.details[0].message == message
