// Package api is the contract between Qingchain's chaincode and its
// clients: the name of every transaction function, the error codes the
// chaincode answers with, and the formats of the identifiers it assigns.
// It imports no contract-API machinery, so the gateway, its tests and the
// chaincode share one vocabulary instead of string literals.
package api

import "strings"

// Tx names a chaincode transaction function the way Fabric's contract API
// routes it: "contract:Function".
type Tx string

// Contract is the contract part of the name.
func (t Tx) Contract() string {
	contract, _, _ := strings.Cut(string(t), ":")
	return contract
}

// Function is the function part of the name.
func (t Tx) Function() string {
	_, function, _ := strings.Cut(string(t), ":")
	return function
}

// The registry contract.
const (
	TxGetGovernance         Tx = "registry:GetGovernance"
	TxProposeGovernance     Tx = "registry:ProposeGovernance"
	TxApproveGovernance     Tx = "registry:ApproveGovernance"
	TxGetGovernanceProposal Tx = "registry:GetGovernanceProposal"
	TxRegisterEnterprise    Tx = "registry:RegisterEnterprise"
	TxGrantKind             Tx = "registry:GrantKind"
	TxApproveKind           Tx = "registry:ApproveKind"
	TxRevokeKind            Tx = "registry:RevokeKind"
	TxGetEnterpriseHistory  Tx = "registry:GetEnterpriseHistory"
	TxBindMember            Tx = "registry:BindMember"
	TxUnbindMember          Tx = "registry:UnbindMember"
	TxGetEnterprise         Tx = "registry:GetEnterprise"
	TxListEnterprises       Tx = "registry:ListEnterprises"
	TxWhoAmI                Tx = "registry:WhoAmI"
)

// The trace contract.
const (
	TxCreateProduct       Tx = "trace:CreateProduct"
	TxGetProduct          Tx = "trace:GetProduct"
	TxCommissionLot       Tx = "trace:CommissionLot"
	TxGetLot              Tx = "trace:GetLot"
	TxCommissionItems     Tx = "trace:CommissionItems"
	TxGetItem             Tx = "trace:GetItem"
	TxListLotEvents       Tx = "trace:ListLotEvents"
	TxIssueCertificate    Tx = "trace:IssueCertificate"
	TxGetCertificate      Tx = "trace:GetCertificate"
	TxListLotCertificates Tx = "trace:ListLotCertificates"
	TxRecallLot           Tx = "trace:RecallLot"
	TxRecordEvent         Tx = "trace:RecordEvent"
	TxGetEvent            Tx = "trace:GetEvent"
	TxHandOver            Tx = "trace:HandOver"
	TxLineage             Tx = "trace:Lineage"
	TxGetTrace            Tx = "trace:GetTrace"
	TxHasCustody          Tx = "trace:HasCustody"
)

// The receipt contract.
const (
	TxIssueReceipt            Tx = "receipt:IssueReceipt"
	TxTransferReceipt         Tx = "receipt:TransferReceipt"
	TxSplitReceipt            Tx = "receipt:SplitReceipt"
	TxRequestRedemption       Tx = "receipt:RequestRedemption"
	TxWithdrawRedemption      Tx = "receipt:WithdrawRedemption"
	TxConfirmRedemption       Tx = "receipt:ConfirmRedemption"
	TxCancelReceipt           Tx = "receipt:CancelReceipt"
	TxFreezeReceipt           Tx = "receipt:FreezeReceipt"
	TxClearRecalledReceipt    Tx = "receipt:ClearRecalledReceipt"
	TxUnfreezeReceipt         Tx = "receipt:UnfreezeReceipt"
	TxReleasePledge           Tx = "receipt:ReleasePledge"
	TxGetReceipt              Tx = "receipt:GetReceipt"
	TxGetReceiptHistory       Tx = "receipt:GetReceiptHistory"
	TxGetReceiptVerification  Tx = "receipt:GetReceiptVerification"
	TxListReceiptsByHolder    Tx = "receipt:ListReceiptsByHolder"
	TxListReceiptsByWarehouse Tx = "receipt:ListReceiptsByWarehouse"
)

// The finance contract.
const (
	TxAddCollateral     Tx = "finance:AddCollateral"
	TxGetEncumbrances   Tx = "finance:GetEncumbrances"
	TxApplyForFinancing Tx = "finance:ApplyForFinancing"
	TxApproveFinancing  Tx = "finance:ApproveFinancing"
	TxRejectFinancing   Tx = "finance:RejectFinancing"
	TxWithdrawFinancing Tx = "finance:WithdrawFinancing"
	TxDisburseFinancing Tx = "finance:DisburseFinancing"
	TxRecordRepayment   Tx = "finance:RecordRepayment"
	TxCloseFinancing    Tx = "finance:CloseFinancing"
	TxDeclareDefault    Tx = "finance:DeclareDefault"
	TxGetFinancing      Tx = "finance:GetFinancing"
	TxListFinancings    Tx = "finance:ListFinancings"
	// The bank's private term sheet (transient data "terms").
	TxRecordPrivateTerms Tx = "finance:RecordPrivateTerms"
	TxGetPrivateTerms    Tx = "finance:GetPrivateTerms"
	TxCheckPrivateTerms  Tx = "finance:CheckPrivateTerms"
)

// The credit contract.
const (
	TxGetCreditRecord Tx = "credit:GetCreditRecord"
)

// The insurance contract.
const (
	TxSetCreditLimit        Tx = "insurance:SetCreditLimit"
	TxGetCreditLimit        Tx = "insurance:GetCreditLimit"
	TxListCreditLimits      Tx = "insurance:ListCreditLimits"
	TxIssuePolicy           Tx = "insurance:IssuePolicy"
	TxGetPolicy             Tx = "insurance:GetPolicy"
	TxListPolicies          Tx = "insurance:ListPolicies"
	TxDeclareShipment       Tx = "insurance:DeclareShipment"
	TxGetShipment           Tx = "insurance:GetShipment"
	TxListShipments         Tx = "insurance:ListShipments"
	TxRecordShipmentPayment Tx = "insurance:RecordShipmentPayment"
	TxReportBuyerDefault    Tx = "insurance:ReportBuyerDefault"
	TxRequestAssignment     Tx = "insurance:RequestAssignment"
	TxAcceptAssignment      Tx = "insurance:AcceptAssignment"
	TxRejectAssignment      Tx = "insurance:RejectAssignment"
	TxReleaseAssignment     Tx = "insurance:ReleaseAssignment"
	TxGetAssignment         Tx = "insurance:GetAssignment"
	TxListAssignments       Tx = "insurance:ListAssignments"
	TxFileClaim             Tx = "insurance:FileClaim"
	TxApproveClaim          Tx = "insurance:ApproveClaim"
	TxRejectClaim           Tx = "insurance:RejectClaim"
	TxPayClaim              Tx = "insurance:PayClaim"
	TxGetClaim              Tx = "insurance:GetClaim"
	TxListClaims            Tx = "insurance:ListClaims"
)

// The receivable contract.
const (
	TxCreateReceivable         Tx = "receivable:CreateReceivable"
	TxConfirmReceivable        Tx = "receivable:ConfirmReceivable"
	TxRejectReceivable         Tx = "receivable:RejectReceivable"
	TxRecordReceivablePayment  Tx = "receivable:RecordReceivablePayment"
	TxMarkReceivableOverdue    Tx = "receivable:MarkReceivableOverdue"
	TxDeclareReceivableDefault Tx = "receivable:DeclareReceivableDefault"
	TxGetReceivable            Tx = "receivable:GetReceivable"
	TxListReceivables          Tx = "receivable:ListReceivables"
)

// The risk contract.
const (
	TxAssessRisk      Tx = "risk:AssessRisk"
	TxGetRiskFlags    Tx = "risk:GetRiskFlags"
	TxResolveRiskFlag Tx = "risk:ResolveRiskFlag"
	TxRecordSanction  Tx = "risk:RecordSanction"
	TxLiftSanction    Tx = "risk:LiftSanction"
	TxListSanctions   Tx = "risk:ListSanctions"
)

// The trade contract (三流合一).
const (
	TxRecordDeclaration    Tx = "trade:RecordDeclaration"
	TxReleaseDeclaration   Tx = "trade:ReleaseDeclaration"
	TxGetDeclaration       Tx = "trade:GetDeclaration"
	TxRecordFXReceipt      Tx = "trade:RecordFXReceipt"
	TxGetFXReceipt         Tx = "trade:GetFXReceipt"
	TxVerifyTrade          Tx = "trade:VerifyTrade"
	TxGetTradeVerification Tx = "trade:GetTradeVerification"
	TxListTradeMismatches  Tx = "trade:ListTradeMismatches"
)

// The grade contract.
const (
	TxGetCreditGrade Tx = "grade:GetCreditGrade"
)

// Transactions lists every transaction function of the chaincode.
func Transactions() []Tx {
	return []Tx{
		TxGetGovernance,
		TxProposeGovernance,
		TxApproveGovernance,
		TxGetGovernanceProposal,
		TxRegisterEnterprise,
		TxGrantKind,
		TxApproveKind,
		TxRevokeKind,
		TxGetEnterpriseHistory,
		TxBindMember,
		TxUnbindMember,
		TxGetEnterprise,
		TxListEnterprises,
		TxWhoAmI,
		TxCreateProduct,
		TxGetProduct,
		TxCommissionLot,
		TxGetLot,
		TxCommissionItems,
		TxGetItem,
		TxListLotEvents,
		TxIssueCertificate,
		TxGetCertificate,
		TxListLotCertificates,
		TxRecallLot,
		TxRecordEvent,
		TxGetEvent,
		TxHandOver,
		TxLineage,
		TxGetTrace,
		TxHasCustody,
		TxIssueReceipt,
		TxTransferReceipt,
		TxSplitReceipt,
		TxRequestRedemption,
		TxWithdrawRedemption,
		TxConfirmRedemption,
		TxCancelReceipt,
		TxFreezeReceipt,
		TxClearRecalledReceipt,
		TxUnfreezeReceipt,
		TxReleasePledge,
		TxGetReceipt,
		TxGetReceiptHistory,
		TxGetReceiptVerification,
		TxListReceiptsByHolder,
		TxListReceiptsByWarehouse,
		TxAddCollateral,
		TxGetEncumbrances,
		TxApplyForFinancing,
		TxApproveFinancing,
		TxRejectFinancing,
		TxWithdrawFinancing,
		TxDisburseFinancing,
		TxRecordRepayment,
		TxCloseFinancing,
		TxDeclareDefault,
		TxGetFinancing,
		TxListFinancings,
		TxRecordPrivateTerms,
		TxGetPrivateTerms,
		TxCheckPrivateTerms,
		TxGetCreditRecord,
		TxSetCreditLimit,
		TxGetCreditLimit,
		TxListCreditLimits,
		TxIssuePolicy,
		TxGetPolicy,
		TxListPolicies,
		TxDeclareShipment,
		TxGetShipment,
		TxListShipments,
		TxRecordShipmentPayment,
		TxReportBuyerDefault,
		TxRequestAssignment,
		TxAcceptAssignment,
		TxRejectAssignment,
		TxReleaseAssignment,
		TxGetAssignment,
		TxListAssignments,
		TxFileClaim,
		TxApproveClaim,
		TxRejectClaim,
		TxPayClaim,
		TxGetClaim,
		TxListClaims,
		TxCreateReceivable,
		TxConfirmReceivable,
		TxRejectReceivable,
		TxRecordReceivablePayment,
		TxMarkReceivableOverdue,
		TxDeclareReceivableDefault,
		TxGetReceivable,
		TxListReceivables,
		TxAssessRisk,
		TxGetRiskFlags,
		TxResolveRiskFlag,
		TxRecordSanction,
		TxLiftSanction,
		TxListSanctions,
		TxGetCreditGrade,
		TxRecordDeclaration,
		TxReleaseDeclaration,
		TxGetDeclaration,
		TxRecordFXReceipt,
		TxGetFXReceipt,
		TxVerifyTrade,
		TxGetTradeVerification,
		TxListTradeMismatches,
	}
}
