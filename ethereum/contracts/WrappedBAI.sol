// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Wrapped BAI (wBAI)
/// @notice ERC-20 with 18 decimals, 1:1 with BAI held in the BalanceAI bridge escrow. Only the bridge
///         that created it can mint (against M-of-N relayer authorisations) or burn (on a holder's own
///         `BaiBridge.burn`), so its total supply moves only through the bridge.
contract WrappedBAI is ERC20 {
    /// @notice The BaiBridge that deployed this token; fixed for the token's life.
    address public immutable bridge;

    error NotBridge(address caller);

    constructor(address bridge_) ERC20("Wrapped BAI", "wBAI") {
        bridge = bridge_;
    }

    modifier onlyBridge() {
        if (msg.sender != bridge) revert NotBridge(msg.sender);
        _;
    }

    function mint(address to, uint256 amount) external onlyBridge {
        _mint(to, amount);
    }

    /// @notice Burns `amount` from `from`. The bridge calls this only with `from == msg.sender` of its own
    ///         `burn`, so no allowance is involved.
    function burn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
    }
}
