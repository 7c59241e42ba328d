<#
.SYNOPSIS
  Serves the conformance suite's adapter protocol on this Windows machine, so
  that a harness on another machine can run the suite against HTTP.sys.

.DESCRIPTION
  Run from an elevated PowerShell in the unpacked kit:
      powershell -ExecutionPolicy Bypass -File .\run-adapter.ps1
  It reserves the URL http://+:<HttpPort>/ for the current user (netsh http
  add urlacl), opens the control and HTTP ports in Windows Firewall, prints
  the command to run on the harness machine, and runs hs-win32-adapter.exe
  until Ctrl+C. Whatever happens, it then deletes the two firewall rules and
  the URL reservation it made. The control port takes commands from anyone
  who reaches it: use a test machine on a trusted network.
#>
param(
    [int]$ControlPort = 7071,
    [int]$HttpPort = 7080,
    [string]$Address = "",
    [ValidateSet("1", "2")][string]$Api = "2"
)

$ErrorActionPreference = "Stop"
$Kit = Split-Path -Parent $MyInvocation.MyCommand.Path
$Adapter = Join-Path $Kit "hs-win32-adapter.exe"
$Url = "http://+:$HttpPort/"
$RulePrefix = "hs-conformance"

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Write-Error "Run this script from an elevated PowerShell (Run as administrator)."
    exit 1
}
if (-not (Test-Path $Adapter)) {
    Write-Error "hs-win32-adapter.exe is not next to this script ($Kit)."
    exit 1
}
if ($Address -eq "") {
    $Address = (Get-NetIPAddress -AddressFamily IPv4 |
        Where-Object { $_.IPAddress -notlike "127.*" -and $_.IPAddress -notlike "169.254.*" } |
        Select-Object -First 1).IPAddress
    if (-not $Address) {
        Write-Error "No IPv4 address found; pass -Address."
        exit 1
    }
}

$cv = Get-ItemProperty "HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
$Build = "$($cv.CurrentBuildNumber).$($cv.UBR)"
$About = "Windows $($cv.ProductName) $($cv.DisplayVersion) build $Build"
$About | Out-File -Encoding ascii (Join-Path $Kit "windows-version.txt")

$user = "$env:USERDOMAIN\$env:USERNAME"
$madeAcl = $false
$madeRules = @()
try {
    netsh http add urlacl url=$Url user=$user | Out-Host
    if ($LASTEXITCODE -eq 0) { $madeAcl = $true }
    foreach ($port in @($ControlPort, $HttpPort)) {
        $name = "$RulePrefix-tcp-$port"
        New-NetFirewallRule -DisplayName $name -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow | Out-Null
        $madeRules += $name
    }

    Write-Host ""
    Write-Host "$About, adapter on ${Address}: control port $ControlPort, HTTP port $HttpPort."
    Write-Host "On the harness machine, in a clone of the suite after 'make deps', run:"
    Write-Host ""
    Write-Host "  /usr/bin/python3 -m harness.run --impl windows --adapter tcp:${Address}:$ControlPort --jobs 1 --report-dir reports/windows-$Build"
    Write-Host ""
    Write-Host "Then submit reports/windows-$Build/results.json and summary.md with windows-version.txt"
    Write-Host "(see README.md in this kit). Press Ctrl+C here when the run is over."
    Write-Host ""

    & $Adapter --control "tcp:$ControlPort" --port $HttpPort --address $Address --url-host "+" --api $Api
}
finally {
    foreach ($name in $madeRules) {
        Remove-NetFirewallRule -DisplayName $name -ErrorAction SilentlyContinue
    }
    if ($madeAcl) {
        netsh http delete urlacl url=$Url | Out-Host
    }
    Write-Host "Firewall rules and URL reservation removed."
}
