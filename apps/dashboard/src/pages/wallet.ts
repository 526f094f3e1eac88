// Wallet: create or import a key (stored encrypted in this browser, Polkadot keystore JSON) or connect an
// injected extension; live balances; transfer, bond, nominate, unbond, withdraw — each shows its fee, then
// ready → in block → finalized, and errors in words.
import type { Signer } from '@polkadot/types/types';
import { encodeAddress } from '@polkadot/util-crypto';
import { api, explainRpcError, submit, type ApiPromise, type TxProgress } from '../chain.js';
import { addAccount, newMnemonic, removeAccount, storedAccounts, unlock } from '../keystore.js';
import { ApiError, errText, fill, fmtBai, get, h, parseBai, table, type Child } from '../util.js';

interface Account {
  address: string;
  name: string;
  source: 'browser' | 'extension';
  signer?: Signer;
}

interface NominatorJson {
  stash: string;
  controller?: string;
  total: string;
  active: string;
  unlocking: Array<{ value: string; era: number }>;
  targets: string[];
}

const extensionAccounts: Account[] = [];
/** REST answers account ids as 0x hex; people read SS58. */
const ss58 = (id: string): string => (id.startsWith('0x') ? encodeAddress(id, 42) : id);
let selected = localStorage.getItem('bai.selected') ?? '';

function accounts(): Account[] {
  return [...storedAccounts().map((j) => ({ address: j.address, name: String(j.meta?.name ?? 'account'), source: 'browser' as const })), ...extensionAccounts];
}

export async function walletPage(main: HTMLElement): Promise<() => void> {
  const cleanups: Array<() => void> = [];
  const listBox = h('div', { id: 'w-accounts' });
  const addBox = h('div', {});
  const detail = h('div', { id: 'w-detail' });
  fill(
    main,
    h('h1', {}, 'Wallet'),
    h('div', { class: 'cols' },
      h('section', { class: 'card', 'aria-labelledby': 'wa' }, h('h2', { id: 'wa' }, 'Accounts'), listBox,
        h('div', { class: 'row', style: 'margin-top:8px' },
          h('button', { type: 'button', id: 'w-create', onclick: () => void showCreate() }, 'Create account'),
          h('button', { type: 'button', class: 'secondary', id: 'w-import', onclick: () => showImport() }, 'Import'),
          h('button', { type: 'button', class: 'secondary', id: 'w-ext', onclick: () => void connectExtension() }, 'Connect extension'),
        ),
        addBox,
      ),
      h('section', { class: 'card', 'aria-labelledby': 'wd' }, h('h2', { id: 'wd' }, 'Account'), detail),
    ),
  );

  let chainApi: ApiPromise | undefined;
  const apiReady = api().then((a) => (chainApi = a));

  function renderList(): void {
    const list = accounts();
    if (!list.some((a) => a.address === selected)) selected = list[0]?.address ?? '';
    fill(
      listBox,
      list.length === 0
        ? h('p', { class: 'muted' }, 'No account yet: create one, import a mnemonic, or connect a browser extension.')
        : h('fieldset', { style: 'border:0;padding:0;margin:0' }, h('legend', { class: 'muted', style: 'font-size:13px' }, 'Use account'),
            ...list.map((a) =>
              h('label', { style: 'display:flex;gap:8px;align-items:flex-start;font-weight:400;padding:4px 0' },
                h('input', { type: 'radio', name: 'w-account', value: a.address, checked: a.address === selected, style: 'width:auto;margin-top:3px', onchange: () => select(a.address) }),
                h('span', {}, h('strong', {}, a.name), ` (${a.source === 'browser' ? 'this browser' : 'extension'})`, h('br'), h('span', { class: 'addr' }, a.address)),
              ),
            ),
          ),
    );
  }

  function select(address: string): void {
    selected = address;
    localStorage.setItem('bai.selected', address);
    renderList();
    void renderDetail();
  }

  async function showCreate(): Promise<void> {
    const mnemonic = await newMnemonic();
    const name = h('input', { id: 'c-name', value: `account ${storedAccounts().length + 1}`, autocomplete: 'off' });
    const pw = h('input', { id: 'c-pw', type: 'password', autocomplete: 'new-password' });
    const pw2 = h('input', { id: 'c-pw2', type: 'password', autocomplete: 'new-password' });
    const saved = h('input', { id: 'c-saved', type: 'checkbox', style: 'width:auto' });
    const msg = h('p', { role: 'alert', class: 'error' });
    const form = h('form', { id: 'create-form', style: 'margin-top:12px' },
      h('p', {}, 'Your recovery phrase. Write it down: it is the only way to restore this account.'),
      h('p', { class: 'secret mono', id: 'c-mnemonic' }, mnemonic),
      h('label', { for: 'c-name' }, 'Name'), name,
      h('label', { for: 'c-pw' }, 'Password (encrypts the key in this browser)'), pw,
      h('label', { for: 'c-pw2' }, 'Repeat the password'), pw2,
      h('label', { style: 'display:flex;gap:8px;font-weight:400' }, saved, 'I have written the phrase down'),
      h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Save account'), h('button', { type: 'button', class: 'secondary', onclick: () => fill(addBox) }, 'Cancel')),
      msg,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (pw.value !== pw2.value) return void (msg.textContent = 'The two passwords differ.');
      if (!saved.checked) return void (msg.textContent = 'Confirm that you wrote the recovery phrase down.');
      addAccount(mnemonic, name.value, pw.value)
        .then((j) => {
          fill(addBox);
          select(j.address);
        })
        .catch((err: unknown) => (msg.textContent = errText(err)));
    });
    fill(addBox, form);
    name.focus();
  }

  function showImport(): void {
    const secret = h('textarea', { id: 'i-secret', rows: 2, autocomplete: 'off', spellcheck: 'false' });
    const name = h('input', { id: 'i-name', value: 'imported', autocomplete: 'off' });
    const pw = h('input', { id: 'i-pw', type: 'password', autocomplete: 'new-password' });
    const msg = h('p', { role: 'alert', class: 'error' });
    const form = h('form', { id: 'import-form', style: 'margin-top:12px' },
      h('label', { for: 'i-secret' }, 'Mnemonic or secret URI (on the devnet, //Alice … //Ferdie hold funds)'), secret,
      h('label', { for: 'i-name' }, 'Name'), name,
      h('label', { for: 'i-pw' }, 'Password (encrypts the key in this browser)'), pw,
      h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Import account'), h('button', { type: 'button', class: 'secondary', onclick: () => fill(addBox) }, 'Cancel')),
      msg,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      addAccount(secret.value, name.value, pw.value)
        .then((j) => {
          fill(addBox);
          select(j.address);
        })
        .catch((err: unknown) => (msg.textContent = errText(err)));
    });
    fill(addBox, form);
    secret.focus();
  }

  async function connectExtension(): Promise<void> {
    const msg = h('p', { role: 'alert' }, 'Asking the extension…');
    fill(addBox, msg);
    try {
      const { web3Enable, web3Accounts, web3FromAddress } = await import('@polkadot/extension-dapp');
      const exts = await web3Enable('BAI Dashboard');
      if (exts.length === 0) {
        msg.textContent = 'No Substrate wallet extension (polkadot.js, SubWallet, Talisman) is installed in this browser, or it refused access.';
        return;
      }
      const found = await web3Accounts({ ss58Format: 42 });
      extensionAccounts.splice(0);
      for (const a of found) {
        const inj = await web3FromAddress(a.address);
        extensionAccounts.push({ address: a.address, name: a.meta.name ?? a.meta.source, source: 'extension', signer: inj.signer as Signer });
      }
      msg.textContent = `${found.length} account${found.length === 1 ? '' : 's'} from ${exts.map((e) => e.name).join(', ')}.`;
      renderList();
    } catch (err) {
      msg.textContent = `The extension could not be reached: ${errText(err)}`;
    }
  }

  let unsubBalance: (() => void) | undefined;
  cleanups.push(() => unsubBalance?.());

  async function renderDetail(): Promise<void> {
    unsubBalance?.();
    unsubBalance = undefined;
    const acct = accounts().find((a) => a.address === selected);
    if (!acct) {
      fill(detail, h('p', { class: 'muted' }, 'Select or add an account.'));
      return;
    }
    const free = h('span', { id: 'w-free' }, '…');
    const reserved = h('span', { id: 'w-reserved' }, '…');
    const frozen = h('span', { id: 'w-frozen' }, '…');
    const nonce = h('span', { id: 'w-nonce' }, '…');
    let freeNow: bigint | undefined;
    const stakingBox = h('div', { id: 'w-staking' }, h('p', { class: 'muted' }, 'Reading stake…'));
    const actions = h('div', {});
    fill(
      detail,
      h('p', { class: 'addr', id: 'w-address' }, acct.address),
      table(['Free', 'Reserved', 'Frozen', 'Nonce'], [[free, reserved, frozen, nonce]]),
      h('h2', { style: 'margin-top:12px' }, 'Stake'),
      stakingBox,
      h('h2', { style: 'margin-top:12px' }, 'Send a transaction'),
      actions,
      acct.source === 'browser'
        ? h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: () => { if (confirm('Remove this account from this browser? Without its recovery phrase it cannot be restored.')) { removeAccount(acct.address); renderList(); void renderDetail(); } } }, 'Remove from this browser'))
        : null,
    );
    await apiReady;
    const a = chainApi!;
    unsubBalance = (await a.query.system!.account!(acct.address, (info: unknown) => {
      const i = info as { nonce: { toString(): string }; data: { free: { toString(): string }; reserved: { toString(): string }; frozen?: { toString(): string }; miscFrozen?: { toString(): string } } };
      freeNow = BigInt(i.data.free.toString());
      free.textContent = fmtBai(i.data.free.toString());
      reserved.textContent = fmtBai(i.data.reserved.toString());
      frozen.textContent = fmtBai((i.data.frozen ?? i.data.miscFrozen)?.toString() ?? '0');
      nonce.textContent = i.nonce.toString();
      void refreshStake();
    })) as unknown as () => void;

    let stake: NominatorJson | undefined;
    async function refreshStake(): Promise<void> {
      try {
        const s = await get<NominatorJson>(`/v1/staking/nominators/${acct!.address}`);
        stake = { ...s, targets: s.targets.map(ss58) };
        fill(stakingBox, table(['Bonded', 'Active', 'Unlocking', 'Nominating'], [[fmtBai(stake.total), fmtBai(stake.active), stake.unlocking.length ? stake.unlocking.map((u) => `${fmtBai(u.value)} (era ${u.era})`).join(', ') : 'none', stake.targets.length ? h('span', { class: 'addr' }, stake.targets.join(', ')) : 'nobody']]));
      } catch (err) {
        stake = undefined;
        fill(stakingBox, h('p', { class: 'muted' }, err instanceof ApiError && err.code === 'NOT_BONDED' ? 'Not bonded.' : `Staking: ${errText(err)}`));
      }
    }

    const tabs = ['Transfer', 'Bond', 'Nominate', 'Unbond', 'Withdraw'] as const;
    let tab: (typeof tabs)[number] = 'Transfer';
    const tabBar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Transaction' });
    const panel = h('div', { role: 'tabpanel', id: 'w-panel' });
    fill(actions, tabBar, panel);
    const drawTabs = () => {
      fill(tabBar, ...tabs.map((t) => h('button', { type: 'button', role: 'tab', id: `tab-${t.toLowerCase()}`, 'aria-selected': String(t === tab), 'aria-controls': 'w-panel', onclick: () => { tab = t; drawTabs(); void drawPanel(); } }, t)));
      panel.setAttribute('aria-labelledby', `tab-${tab.toLowerCase()}`);
    };
    drawTabs();

    // The chain's minimum active bond of a nominator (Staking.MinNominatorBond), shown and checked before signing.
    let minNominatorBond: bigint | undefined;
    try {
      minNominatorBond = BigInt(String(await a.query.staking!.minNominatorBond!()));
    } catch {
      minNominatorBond = undefined;
    }
    const minText = minNominatorBond === undefined ? null : h('p', { class: 'muted' }, `Nominating needs at least ${fmtBai(minNominatorBond)} bonded and active.`);

    const drawPanel = async (): Promise<void> => {
      const fields: Child[] = [];
      let build: () => ReturnType<ApiPromise['tx']['balances']['transferKeepAlive']>;
      /** What the transaction takes from the free balance besides its fee (checked before signing). */
      let spends = (): bigint => 0n;
      if (tab === 'Transfer') {
        const to = h('input', { id: 'f-to', autocomplete: 'off', spellcheck: 'false' });
        const amount = h('input', { id: 'f-amount', inputmode: 'decimal', autocomplete: 'off' });
        fields.push(h('label', { for: 'f-to' }, 'To (address)'), to, h('label', { for: 'f-amount' }, 'Amount (BAI)'), amount);
        build = () => {
          if (!to.value.trim()) throw new Error('Enter the address to send to.');
          try {
            a.createType('AccountId', to.value.trim());
          } catch {
            throw new Error('That is not a valid address.');
          }
          return a.tx.balances!.transferKeepAlive!(to.value.trim(), parseBai(amount.value));
        };
        spends = () => parseBai(amount.value);
      } else if (tab === 'Bond' || tab === 'Unbond') {
        const amount = h('input', { id: 'f-amount', inputmode: 'decimal', autocomplete: 'off' });
        fields.push(h('label', { for: 'f-amount' }, tab === 'Bond' ? (stake ? 'Add to the bond (BAI)' : 'Amount to bond (BAI)') : 'Amount to unbond (BAI)'), amount, tab === 'Bond' ? minText : null);
        build = () => {
          const v = parseBai(amount.value);
          if (tab === 'Unbond') return a.tx.staking!.unbond!(v);
          return stake ? a.tx.staking!.bondExtra!(v) : a.tx.staking!.bond!(v, 'Staked');
        };
        if (tab === 'Bond') spends = () => parseBai(amount.value);
        else spends = () => {
          const v = parseBai(amount.value);
          if (!stake) throw new Error('This account has no bond to unbond.');
          if (v > BigInt(stake.active)) throw new Error(`Only ${fmtBai(stake.active)} is bonded and active; unbond at most that.`);
          return 0n;
        };
      } else if (tab === 'Nominate') {
        let vals: Array<{ address: string; commissionPercent: string; status: string }> = [];
        try {
          const r = await get<{ active: typeof vals; waiting: typeof vals }>('/v1/staking/validators');
          vals = [...r.active, ...r.waiting];
        } catch (err) {
          fields.push(h('p', { class: 'error' }, errText(err)));
        }
        const boxes = vals.map((v, i) => h('input', { type: 'checkbox', id: `f-val-${i}`, value: v.address, style: 'width:auto', checked: stake?.targets.includes(v.address) }));
        fields.push(minText, h('fieldset', { style: 'border:0;padding:0;margin:0' }, h('legend', { style: 'font-size:13px;font-weight:600' }, 'Validators to nominate'), ...vals.map((v, i) => h('label', { for: `f-val-${i}`, style: 'display:flex;gap:8px;font-weight:400' }, boxes[i]!, h('span', { class: 'addr' }, `${v.address} (${v.commissionPercent}% commission, ${v.status})`)))));
        build = () => {
          const targets = boxes.filter((b) => b.checked).map((b) => b.value);
          if (targets.length === 0) throw new Error('Choose at least one validator.');
          if (!stake) throw new Error('Bond first: only a bonded account can nominate.');
          if (minNominatorBond !== undefined && BigInt(stake.active) < minNominatorBond) {
            throw new Error(`Your active bond is ${fmtBai(stake.active)}; nominating needs at least ${fmtBai(minNominatorBond)}. Bond more first.`);
          }
          return a.tx.staking!.nominate!(targets);
        };
      } else {
        fields.push(h('p', {}, 'Withdraws the unbonded chunks whose waiting period has ended to the free balance.'));
        let currentEra: number | undefined;
        try {
          currentEra = (await get<{ currentEra: number }>('/v1/staking/eras')).currentEra;
        } catch {
          currentEra = undefined;
        }
        build = () => {
          if (!stake) throw new Error('This account has no bond, so nothing to withdraw.');
          if (currentEra !== undefined) {
            const ready = stake.unlocking.filter((u) => u.era <= currentEra!);
            const next = stake.unlocking.filter((u) => u.era > currentEra!).sort((x, y) => x.era - y.era)[0];
            if (ready.length === 0 && BigInt(stake.active) > 0n) {
              throw new Error(next ? `Nothing to withdraw yet: ${fmtBai(next.value)} unlocks at era ${next.era} (now era ${currentEra}).` : 'Nothing is unbonding: unbond first, then withdraw once its era comes.');
            }
          }
          return a.tx.staking!.withdrawUnbonded!(0);
        };
      }
      const pw = acct!.source === 'browser' ? h('input', { id: 'f-pw', type: 'password', autocomplete: 'current-password' }) : undefined;
      const send = h('button', { type: 'submit', id: 'f-send' }, 'Sign and send');
      const feeLine = h('p', { id: 'f-fee', 'aria-live': 'polite' });
      const progress = h('ol', { class: 'status', id: 'f-progress', 'aria-live': 'polite' });
      const form = h('form', { id: `form-${tab.toLowerCase()}` }, ...fields, pw ? h('label', { for: 'f-pw' }, 'Password of this account') : null, pw ?? null, h('div', { class: 'row' }, send), feeLine, progress);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        void (async () => {
          progress.replaceChildren();
          const step = (p: TxProgress) => progress.append(h('li', { class: p.stage === 'error' ? 'error' : p.stage === 'finalized' ? 'ok' : '', 'data-stage': p.stage }, p.text, p.hash && p.stage === 'finalized' ? h('span', {}, ' — ', h('a', { href: `#/extrinsic/${p.hash}` }, 'view')) : null));
          send.disabled = true;
          try {
            const tx = build();
            const info = await tx.paymentInfo(acct!.address);
            const fee = BigInt(info.partialFee.toString());
            feeLine.textContent = `Fee: ${fmtBai(fee, 6)}`;
            const need = spends() + fee;
            if (freeNow !== undefined && need > freeNow) {
              throw new Error(`Not enough free balance: this needs ${fmtBai(need, 6)} with the fee, the account has ${fmtBai(freeNow, 6)}.`);
            }
            const signer = acct!.source === 'browser' ? await unlock(acct!.address, pw!.value) : { address: acct!.address, signer: acct!.signer! };
            await submit(a, tx, signer, step);
            if ('lock' in signer) signer.lock();
            void refreshStake();
          } catch (err) {
            if (!progress.querySelector('[data-stage="error"]')) step({ stage: 'error', text: explainRpcError(err) });
          } finally {
            send.disabled = false;
          }
        })();
      });
      fill(panel, form);
    };
    await drawPanel();
  }

  renderList();
  void renderDetail();
  return () => cleanups.forEach((c) => c());
}
