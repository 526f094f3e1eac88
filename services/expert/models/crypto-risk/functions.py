"""Python half of the built-in crypto model: realised volatility from the request's price history, and the
correlated pairs of the request's correlation matrix, both asserted as facts for the rules.

`prepare_facts(request)` runs before the rules and returns (template, slots) facts; every other public function
defined here would be registered into CLIPS under its own name.
"""
import math

# Daily closes are assumed; crypto trades every day of the year.
PERIODS_PER_YEAR = 365
DEFAULT_VOLATILITY_LIMIT = 0.8  # 80 % annualised
MIN_PRICES = 3
# The toolkit's threshold for check_pos_corr / check_neg_corr.
CORRELATION_THRESHOLD = 0.65


def realised_volatility(prices):
    """Annualised standard deviation of log returns, or None when the series cannot give one."""
    if len(prices) < MIN_PRICES or any(p <= 0 for p in prices):
        return None
    returns = [math.log(b / a) for a, b in zip(prices, prices[1:])]
    mean = sum(returns) / len(returns)
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return round(math.sqrt(variance) * math.sqrt(PERIODS_PER_YEAR), 6)


def volatility_facts(request):
    profile = request.get("ot_user_profile") or {}
    limit = float(profile.get("ot_user_volatility_limit", DEFAULT_VOLATILITY_LIMIT))
    history = request.get("ot_price_history") or {}
    facts = []
    for instrument in sorted(history):
        series = history[instrument]
        if not isinstance(series, list) or not all(isinstance(p, (int, float)) for p in series):
            continue
        volatility = realised_volatility([float(p) for p in series])
        if volatility is not None:
            facts.append(("volatility-data", {"ot_instr_id": instrument, "ot_volatility": volatility,
                                              "ot_volatility_limit": limit}))
    return facts


def correlation_facts(request):
    """Both orientations of every pair beyond the threshold; the same asset never correlates with itself."""
    matrix = request.get("ot_correlation_matrix") or {}
    signs = {}
    for asset_a in sorted(matrix):
        row = matrix[asset_a]
        for asset_b in sorted(row):
            coefficient = row[asset_b]
            if asset_a == asset_b or (asset_a, asset_b) in signs:
                continue
            if coefficient > CORRELATION_THRESHOLD:
                sign = "positive"
            elif coefficient < -CORRELATION_THRESHOLD:
                sign = "negative"
            else:
                continue
            signs[(asset_a, asset_b)] = sign
            signs[(asset_b, asset_a)] = sign
    return [("correlation-data", {"ot_instr_id_1": a, "ot_instr_id_2": b, "corr-is": sign})
            for (a, b), sign in sorted(signs.items())]


def prepare_facts(request):
    return volatility_facts(request) + correlation_facts(request)
