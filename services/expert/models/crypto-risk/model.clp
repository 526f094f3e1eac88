; BalanceAI built-in crypto risk model.
; Input follows the risk toolkit's conventions: scalar user facts (ot_user_balance 1000), one position-data fact per
; position, indicator-data facts, and volatility-data facts that functions.py derives from ot_price_history.
; Only positions with (ot_risk_check true) are assessed; the others are the portfolio they are assessed against.
; Ratios are fractions of the balance (0.2 = 20 %); reported percentages are multiplied by 100.

(deftemplate position-data
   (slot ot_pos_dealid) (slot ot_instr_name) (slot ot_instr_id) (slot ot_instrument_type) (slot ot_instr_type)
   (slot ot_pos_direction) (slot ot_pos_opening) (slot ot_pos_limit) (slot ot_pos_stop)
   (slot ot_instr_lotsize) (slot ot_pos_contractsize) (slot ot_pos_size)
   (slot ot_instr_offer) (slot ot_instr_bid) (slot ot_pos_controlled) (slot ot_pos_weight)
   (slot ot_pos_cc) (slot ot_pos_exchange (default 1)) (slot ot_pos_margin (default 100)) (slot ot_risk_check))

(deftemplate indicator-data
   (slot ot_instr_id) (slot ot_indicator_type) (slot ot_indicator_value) (slot ot_instr_sentiment))

(deftemplate correlation-data
   (slot ot_instr_id_1) (slot ot_instr_id_2) (slot corr-is))

(deftemplate volatility-data
   (slot ot_instr_id) (slot ot_volatility) (slot ot_volatility_limit))

(deftemplate risk-data
   (slot risk-is) (slot ot_pos_dealid) (slot name_1)
   (slot param_1) (slot param_2) (slot param_3) (slot param_4) (slot param_5) (slot param_6))

(deffunction percent (?fraction)
   ; two decimals are enough for a message and keep the answer stable across float noise
   (/ (round (* ?fraction 10000)) 100))

(deffunction position-value (?opening ?quantity ?lots ?exchange)
   ; value of the position in the account currency
   (/ (* ?opening ?quantity ?lots) ?exchange))

; --- size -----------------------------------------------------------------------------------------------------------

(defrule oversized-against-diversification
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_opening ?opening&:(numberp ?opening)) (ot_pos_contractsize ?quantity&:(numberp ?quantity))
                  (ot_pos_size ?lots&:(numberp ?lots)) (ot_pos_exchange ?exchange&:(numberp ?exchange))
                  (ot_pos_margin ?margin&:(numberp ?margin)))
   (ot_user_balance ?balance&:(numberp ?balance)&:(> ?balance 0))
   (ot_user_diversification ?limit&:(numberp ?limit))
   (test (> (/ (* (position-value ?opening ?quantity ?lots ?exchange) (/ ?margin 100)) ?balance) ?limit))
   =>
   (assert (risk-data (risk-is position-oversized) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 (percent (/ (* (position-value ?opening ?quantity ?lots ?exchange) (/ ?margin 100)) ?balance)))
      (param_2 (percent ?limit)) (param_5 ?label))))

; --- loss and reward ------------------------------------------------------------------------------------------------

(defrule loss-above-per-trade-limit
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_opening ?opening&:(numberp ?opening)) (ot_pos_stop ?stop&:(numberp ?stop))
                  (ot_pos_contractsize ?quantity&:(numberp ?quantity)) (ot_pos_size ?lots&:(numberp ?lots))
                  (ot_pos_exchange ?exchange&:(numberp ?exchange)))
   (ot_user_balance ?balance&:(numberp ?balance)&:(> ?balance 0))
   (ot_user_limitpertrade ?limit&:(numberp ?limit))
   (test (> (/ (position-value (abs (- ?opening ?stop)) ?quantity ?lots ?exchange) ?balance) ?limit))
   =>
   (bind ?loss (position-value (abs (- ?opening ?stop)) ?quantity ?lots ?exchange))
   (assert (risk-data (risk-is position-risk-limit) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 (percent (/ ?loss ?balance))) (param_2 (percent ?limit))
      (param_5 ?label) (param_6 (/ (round (* ?loss 100)) 100)))))

(deffunction reward-to-risk (?opening ?stop ?target)
   (/ (abs (- ?target ?opening)) (abs (- ?opening ?stop))))

(defrule risk-reward-below-band
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_opening ?opening&:(numberp ?opening)) (ot_pos_stop ?stop&:(numberp ?stop)&~?opening)
                  (ot_pos_limit ?target&:(numberp ?target)))
   (ot_user_riskrewardratio ?ratio&:(numberp ?ratio))
   (test (< (reward-to-risk ?opening ?stop ?target) (* 0.8 ?ratio)))
   =>
   (assert (risk-data (risk-is position-low-risk-reward) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 (/ (round (* 100 (reward-to-risk ?opening ?stop ?target))) 100)) (param_2 ?ratio) (param_5 ?label))))

(defrule risk-reward-above-band
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_opening ?opening&:(numberp ?opening)) (ot_pos_stop ?stop&:(numberp ?stop)&~?opening)
                  (ot_pos_limit ?target&:(numberp ?target)))
   (ot_user_riskrewardratio ?ratio&:(numberp ?ratio))
   (test (> (reward-to-risk ?opening ?stop ?target) (* 1.2 ?ratio)))
   =>
   (assert (risk-data (risk-is position-high-risk-reward) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 (/ (round (* 100 (reward-to-risk ?opening ?stop ?target))) 100)) (param_2 ?ratio) (param_5 ?label))))

; --- protective orders ----------------------------------------------------------------------------------------------

(defrule missing-stop-loss
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_stop nil))
   =>
   (assert (risk-data (risk-is position-stop-loss) (ot_pos_dealid ?deal) (name_1 ?instrument) (param_5 ?label))))

(defrule missing-take-profit
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_limit nil))
   =>
   (assert (risk-data (risk-is position-take-profit) (ot_pos_dealid ?deal) (name_1 ?instrument) (param_5 ?label))))

; --- the rest of the portfolio --------------------------------------------------------------------------------------

(defrule second-position-same-coin
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label))
   (position-data (ot_pos_dealid ?other&~?deal) (ot_instr_id ?instrument) (ot_pos_contractsize ?quantity))
   =>
   (assert (risk-data (risk-is position-double-crypto) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 ?other) (param_2 ?quantity) (param_5 ?label))))

(deffunction correlation-risk (?sign ?direction ?other-direction)
   (if (eq ?sign positive)
      then (if (eq ?direction ?other-direction) then position-positive-same-corr else position-positive-opposite-corr)
      else (if (eq ?direction ?other-direction) then position-negative-same-corr else position-negative-opposite-corr)))

(defrule correlated-positions
   ; correlation-data facts come from functions.py, which applies the toolkit's check_pos_corr/check_neg_corr
   ; test to the pairs of the request's correlation matrix once, instead of once per pair of positions here
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_direction ?direction))
   (correlation-data (ot_instr_id_1 ?instrument) (ot_instr_id_2 ?other-instrument) (corr-is ?sign))
   (position-data (ot_pos_dealid ?other&~?deal) (ot_instr_id ?other-instrument)
                  (ot_instr_name ?other-label) (ot_pos_direction ?other-direction))
   =>
   (assert (risk-data (risk-is (correlation-risk ?sign ?direction ?other-direction)) (ot_pos_dealid ?deal)
      (name_1 ?instrument) (param_1 ?other) (param_3 ?other-instrument) (param_4 ?direction)
      (param_5 ?label) (param_6 ?other-label))))

; --- market ---------------------------------------------------------------------------------------------------------

(defrule against-indicator-sentiment
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label)
                  (ot_pos_direction ?direction))
   (indicator-data (ot_instr_id ?instrument) (ot_indicator_type ?indicator)
                   (ot_instr_sentiment ?sentiment&:(or (and (eq ?direction BUY) (eq ?sentiment bearish))
                                                       (and (eq ?direction SELL) (eq ?sentiment bullish)))))
   (ot_user_timeframe ?timeframe)
   =>
   (assert (risk-data (risk-is position-counter-sentiment) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 ?sentiment) (param_3 ?indicator) (param_4 ?direction) (param_5 ?label) (param_6 ?timeframe))))

(defrule volatility-high
   ; volatility-data facts come from functions.py (realised volatility of ot_price_history)
   (position-data (ot_risk_check true) (ot_pos_dealid ?deal) (ot_instr_id ?instrument) (ot_instr_name ?label))
   (volatility-data (ot_instr_id ?instrument) (ot_volatility ?volatility) (ot_volatility_limit ?limit))
   (test (> ?volatility ?limit))
   =>
   (assert (risk-data (risk-is position-volatility-high) (ot_pos_dealid ?deal) (name_1 ?instrument)
      (param_1 (percent ?volatility)) (param_2 (percent ?limit)) (param_5 ?label))))
