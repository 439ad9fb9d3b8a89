"""ISO 4217 currencies: the codes orders may be priced in, with the decimal places of each (its minor unit)."""

# Active codes of ISO 4217 (list one, 2024) by their minor unit; funds and precious metals are left out.
TWO_PLACES = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF "
    "CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL "
    "HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MMK MNT MOP MRU "
    "MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR "
    "SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS "
    "VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
NO_PLACES = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
THREE_PLACES = "BHD IQD JOD KWD LYD OMR TND"
FOUR_PLACES = "CLF UYW"
MINOR_UNITS = {
    **dict.fromkeys(TWO_PLACES.split(), 2),
    **dict.fromkeys(NO_PLACES.split(), 0),
    **dict.fromkeys(THREE_PLACES.split(), 3),
    **dict.fromkeys(FOUR_PLACES.split(), 4),
}
DEFAULT_MINOR_UNIT = 2


def is_currency(code: object) -> bool:
    return isinstance(code, str) and code in MINOR_UNITS


def minor_unit(code: str | None) -> int:
    """Decimal places of the currency's amounts (2 for an unknown or missing code)."""
    return MINOR_UNITS.get(code or "", DEFAULT_MINOR_UNIT)
