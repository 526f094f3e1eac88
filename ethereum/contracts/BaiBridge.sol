// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {WrappedBAI} from "./WrappedBAI.sol";

/// @title BaiBridge: the Ethereum end of the BalanceAI Interlink bridge
/// @notice Mints wBAI 1:1 for BAI locked on BalanceAI, against EIP-712 `Mint` authorisations signed by M of
///         the N relayers (signatures ordered by signer address, strictly ascending). Each lockId ends in
///         exactly one final state, `Minted` or `Cancelled`, and never changes after that: this is what lets
///         BalanceAI refund a cancelled (or expired, never-minted) lock without any risk of a double spend.
///         `burn` destroys wBAI and emits `Burned` with a nonce that increases by one per burn.
///         See ethereum/README.md for the full design.
contract BaiBridge is EIP712 {
    // ---------------------------------------------------------------- EIP-712 message types
    bytes32 public constant MINT_TYPEHASH =
        keccak256("Mint(bytes32 lockId,address recipient,uint256 amount,uint256 deadline)");
    bytes32 public constant CANCEL_TYPEHASH = keccak256("Cancel(bytes32 lockId,uint256 deadline)");
    bytes32 public constant SET_RELAYERS_TYPEHASH =
        keccak256("SetRelayers(address[] relayers,uint256 threshold,address guardian,uint256 nonce)");
    bytes32 public constant SET_PAUSED_TYPEHASH = keccak256("SetPaused(bool paused,uint256 nonce)");

    /// @notice Upper bound on N, so verifying and rotating a set has a bounded gas cost.
    uint256 public constant MAX_RELAYERS = 32;
    /// @notice The outflow limit's refill period.
    uint256 public constant LIMIT_PERIOD = 1 days;

    enum LockStatus {
        None,
        Minted,
        Cancelled
    }

    WrappedBAI public immutable token;
    /// @notice Most wBAI that can be minted in a burst; the allowance refills linearly at this amount per
    ///         24 h. 0 = no limit. A genesis parameter: fixed at deployment.
    uint256 public immutable mintLimit;

    address[] private _relayers;
    mapping(address => bool) public isRelayer;
    uint256 public threshold;
    /// @notice Can pause (never unpause): a single hot key for emergencies that cannot move funds.
    address public guardian;
    /// @notice Consumed by every M-of-N governance action (`setRelayers`, `setPaused`): no replay.
    uint256 public configNonce;
    bool public paused;

    mapping(bytes32 => LockStatus) public lockStatus;
    /// @notice Nonce of the last burn (the first burn has nonce 1).
    uint256 public burnNonce;

    uint256 private _limitAvailable;
    uint256 private _limitUpdatedAt;

    event Minted(bytes32 indexed lockId, address indexed recipient, uint256 amount);
    event Cancelled(bytes32 indexed lockId);
    event Burned(uint256 indexed nonce, address indexed from, bytes32 indexed baiRecipient, uint256 amount);
    /// @notice `configNonce` is the nonce after the change (0 for the set given at deployment).
    event RelayersChanged(uint256 indexed configNonce, address[] relayers, uint256 threshold, address guardian);
    event PausedChanged(bool paused, address by);

    error BridgePaused();
    error NotGuardian(address caller);
    error ZeroAmount();
    error ZeroRecipient();
    error DeadlineExpired(uint256 deadline, uint256 timestamp);
    error DeadlineNotPassed(uint256 deadline, uint256 timestamp);
    error LockAlreadyProcessed(bytes32 lockId, LockStatus status);
    error TooFewSignatures(uint256 given, uint256 threshold);
    error InvalidSignature(uint256 index);
    error SignersNotAscending(uint256 index, address signer);
    error NotRelayer(uint256 index, address signer);
    error WrongNonce(uint256 expected, uint256 given);
    error InvalidRelayerSet();
    error OutflowLimitExceeded(uint256 amount, uint256 available);
    error InvalidMintLimit();

    constructor(address[] memory relayers_, uint256 threshold_, address guardian_, uint256 mintLimit_)
        EIP712("BaiBridge", "1")
    {
        if (mintLimit_ > type(uint128).max) revert InvalidMintLimit();
        token = new WrappedBAI(address(this));
        mintLimit = mintLimit_;
        _limitAvailable = mintLimit_;
        _limitUpdatedAt = block.timestamp;
        _setRelayers(relayers_, threshold_, guardian_);
    }

    // ---------------------------------------------------------------- views

    function relayers() external view returns (address[] memory) {
        return _relayers;
    }

    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice wBAI that can be minted now under the outflow limit (type(uint256).max without a limit).
    function mintAvailable() public view returns (uint256) {
        if (mintLimit == 0) return type(uint256).max;
        uint256 refill = ((block.timestamp - _limitUpdatedAt) * mintLimit) / LIMIT_PERIOD;
        uint256 available = _limitAvailable + refill;
        return available > mintLimit ? mintLimit : available;
    }

    // ---------------------------------------------------------------- bridge

    /// @notice Mints `amount` wBAI to `recipient` for the BalanceAI lock `lockId`. Anyone may submit the
    ///         relayers' signatures (the user included); the lock must be unprocessed and not expired.
    function mint(bytes32 lockId, address recipient, uint256 amount, uint256 deadline, bytes[] calldata signatures)
        external
    {
        if (paused) revert BridgePaused();
        if (block.timestamp > deadline) revert DeadlineExpired(deadline, block.timestamp);
        LockStatus status = lockStatus[lockId];
        if (status != LockStatus.None) revert LockAlreadyProcessed(lockId, status);
        if (recipient == address(0)) revert ZeroRecipient();
        if (amount == 0) revert ZeroAmount();
        _verify(keccak256(abi.encode(MINT_TYPEHASH, lockId, recipient, amount, deadline)), signatures);
        _consumeLimit(amount);
        lockStatus[lockId] = LockStatus.Minted;
        token.mint(recipient, amount);
        emit Minted(lockId, recipient, amount);
    }

    /// @notice Closes an expired, never-minted lock for good, so BalanceAI can refund it. Needs M relayers'
    ///         `Cancel(lockId, deadline)` and a block past the deadline (until then the user may still mint).
    ///         Allowed while paused, so a paused bridge still lets every transfer reach a final state.
    function cancel(bytes32 lockId, uint256 deadline, bytes[] calldata signatures) external {
        if (block.timestamp <= deadline) revert DeadlineNotPassed(deadline, block.timestamp);
        LockStatus status = lockStatus[lockId];
        if (status != LockStatus.None) revert LockAlreadyProcessed(lockId, status);
        _verify(keccak256(abi.encode(CANCEL_TYPEHASH, lockId, deadline)), signatures);
        lockStatus[lockId] = LockStatus.Cancelled;
        emit Cancelled(lockId);
    }

    /// @notice Burns `amount` of the caller's wBAI; relayers release as much BAI to `baiRecipient` (a
    ///         32-byte BalanceAI account id) once the burn has enough confirmations.
    function burn(uint256 amount, bytes32 baiRecipient) external returns (uint256 nonce) {
        if (paused) revert BridgePaused();
        if (amount == 0) revert ZeroAmount();
        if (baiRecipient == bytes32(0)) revert ZeroRecipient();
        token.burn(msg.sender, amount);
        nonce = ++burnNonce;
        emit Burned(nonce, msg.sender, baiRecipient, amount);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Replaces the relayer set, threshold and guardian, authorised by M of the current relayers.
    function setRelayers(
        address[] calldata relayers_,
        uint256 threshold_,
        address guardian_,
        uint256 nonce,
        bytes[] calldata signatures
    ) external {
        if (nonce != configNonce) revert WrongNonce(configNonce, nonce);
        bytes32 structHash = keccak256(
            abi.encode(
                SET_RELAYERS_TYPEHASH, keccak256(abi.encodePacked(relayers_)), threshold_, guardian_, nonce
            )
        );
        _verify(structHash, signatures);
        configNonce = nonce + 1;
        _setRelayers(relayers_, threshold_, guardian_);
    }

    /// @notice Pauses or unpauses, authorised by M relayers.
    function setPaused(bool paused_, uint256 nonce, bytes[] calldata signatures) external {
        if (nonce != configNonce) revert WrongNonce(configNonce, nonce);
        _verify(keccak256(abi.encode(SET_PAUSED_TYPEHASH, paused_, nonce)), signatures);
        configNonce = nonce + 1;
        paused = paused_;
        emit PausedChanged(paused_, msg.sender);
    }

    /// @notice The guardian's emergency brake: pause only. Unpausing needs M relayers (`setPaused`).
    function guardianPause() external {
        if (msg.sender != guardian || guardian == address(0)) revert NotGuardian(msg.sender);
        paused = true;
        emit PausedChanged(true, msg.sender);
    }

    // ---------------------------------------------------------------- internals

    /// @dev At least `threshold` signatures over the EIP-712 digest of `structHash`, every one by a current
    ///      relayer, signers strictly ascending (which also rules out duplicates).
    function _verify(bytes32 structHash, bytes[] calldata signatures) private view {
        uint256 m = threshold;
        if (signatures.length < m) revert TooFewSignatures(signatures.length, m);
        bytes32 digest = _hashTypedDataV4(structHash);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            if (signer <= previous) revert SignersNotAscending(i, signer);
            if (!isRelayer[signer]) revert NotRelayer(i, signer);
            previous = signer;
        }
    }

    function _consumeLimit(uint256 amount) private {
        if (mintLimit == 0) return;
        uint256 available = mintAvailable();
        if (amount > available) revert OutflowLimitExceeded(amount, available);
        _limitAvailable = available - amount;
        _limitUpdatedAt = block.timestamp;
    }

    function _setRelayers(address[] memory relayers_, uint256 threshold_, address guardian_) private {
        uint256 n = relayers_.length;
        // 1 <= M <= N <= MAX, and M a strict majority: two disjoint quorums cannot exist.
        if (n == 0 || n > MAX_RELAYERS || threshold_ == 0 || threshold_ > n || threshold_ * 2 <= n) {
            revert InvalidRelayerSet();
        }
        for (uint256 i = 0; i < _relayers.length; i++) {
            isRelayer[_relayers[i]] = false;
        }
        address previous = address(0);
        for (uint256 i = 0; i < n; i++) {
            if (relayers_[i] <= previous) revert InvalidRelayerSet(); // ascending: distinct and non-zero
            isRelayer[relayers_[i]] = true;
            previous = relayers_[i];
        }
        _relayers = relayers_;
        threshold = threshold_;
        guardian = guardian_;
        emit RelayersChanged(configNonce, relayers_, threshold_, guardian_);
    }
}
